"""Projects and fixed-asset investment (monthly reports, milestones, approvals), investment attraction
(leads pipeline) and funds in place, the investment board, and figures 10-12 of the source article."""
