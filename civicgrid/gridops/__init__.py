"""Grid operations (网格员日常工作): three apps sharing one package —

* `patrols`: daily patrols with GPS tracks, checkpoints, findings that become cases, compliance;
* `campaigns`: door-to-door campaigns (专项排查/入户统计) with typed forms, XLSForm import, offline answers;
* `fieldwork`: household visits, key-person follow-up, dispute screening rounds, police–grid joint work,
  普法 and publicity activities.

Findings of every kind become cases through civicgrid.cases.actions, never a parallel path.
"""
