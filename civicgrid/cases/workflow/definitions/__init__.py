"""The shipped case-type workflows, one module per case type, each defining `SPEC`."""
