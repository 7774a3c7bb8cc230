"""Volunteer service pages (新时代文明实践), one module per part: `hub` (the hub and the public catalogue),
`ordering` (the resident's ordering and orders), `centre` and `station` (their boards), `steps` (a step
posted from a board), `volunteers` (tasks, registration, profiles), `certificates`, `stats`, `donations`.

Adapters only: parse, call one action or query, render. Reads start scoped (`order_queries.orders_visible`,
the chokepoints), so an order or volunteer out of reach is 404; a refused action changes nothing and its
Chinese message comes back on the page (422 for bad input, 409 when someone acted first).
"""
