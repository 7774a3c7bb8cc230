"""Excel import and export of households and residents (one sheet; see columns.py and docs/people.md)."""

from civicgrid.people.excel.exporter import export_people_xlsx, template_xlsx
from civicgrid.people.excel.importer import ImportResult, import_people_xlsx

__all__ = ["ImportResult", "export_people_xlsx", "import_people_xlsx", "template_xlsx"]
