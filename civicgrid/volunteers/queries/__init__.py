"""Reads of the volunteer platform, one module per seam: `orders` (scoped orders), `suggestions` (the
matching core's inputs and answers), `boards` (the centre's and station's boards), `labels` (matching codes
in Chinese), `volunteers`, `certificates`, `donations`, `services` (the catalogue) and `stats`.

Everything starts scoped through the chokepoints: an order or volunteer outside the caller's reach is
NotFound (404) exactly as if it did not exist."""
