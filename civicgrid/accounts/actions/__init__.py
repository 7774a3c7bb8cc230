"""Every write about identity and accounts (each with its audit entry):

- identity: sign-in (password, then the second factor), API tokens, password change
- admin: accounts and departments (system administrator), roles and scopes (security administrator)
- onboarding: one-time activation links, the Excel import of staff
- handover: a leaving field worker's patch and tasks to a successor, deactivation
- twofactor: authenticator enrolment, recovery codes, reset
"""

from civicgrid.accounts.actions.admin import (
    DepartmentInput,
    assign_role,
    create_department,
    create_user,
    remove_role,
    set_department_active,
    set_user_active,
    update_department,
    update_user,
    validate_assignment,
)
from civicgrid.accounts.actions.identity import (
    INVALID_CREDENTIALS,
    INVALID_OTP,
    authenticate_user,
    change_password,
    check_password,
    finish_sign_in,
    issue_token,
    password_step,
    revoke_token,
    second_factor_step,
)

__all__ = [
    "INVALID_CREDENTIALS", "INVALID_OTP", "DepartmentInput", "assign_role", "authenticate_user", "change_password",
    "check_password", "create_department", "create_user", "finish_sign_in", "issue_token", "password_step",
    "remove_role", "revoke_token", "second_factor_step", "set_department_active", "set_user_active",
    "update_department", "update_user", "validate_assignment",
]
