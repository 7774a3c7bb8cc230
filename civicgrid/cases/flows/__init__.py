"""What the Django side adds to the pure workflow engine (`cases/workflow/`): the effects a step runs,
co-handling tasks, the shipped category tree and the generated label module for translation. The bridge
to the frozen workflow rows is `cases/workflows.py`."""
