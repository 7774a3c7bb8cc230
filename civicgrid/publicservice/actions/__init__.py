"""Every write of the public-service app (appointments, online requests, the 办不成事 window)."""

from civicgrid.publicservice.actions import appointments, hardcases, requests, structure
from civicgrid.publicservice.actions.hardcases import HardCaseInput
from civicgrid.publicservice.actions.requests import RequestInput
from civicgrid.publicservice.actions.structure import ItemInput

__all__ = ["HardCaseInput", "ItemInput", "RequestInput", "appointments", "hardcases", "requests", "structure"]
