"""Field-work pages (mobile first: grid workers use a phone). Adapters only: parse, call one action or
query, render. Out-of-scope objects are 404, a page without its permission 403; key-person data is shown
only through the audited reads."""
