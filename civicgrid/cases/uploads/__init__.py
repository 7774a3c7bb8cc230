"""Files on a case: photo and PDF checks (type from the bytes, metadata stripped; other apps use them too)
and the evidence a workflow step asks for."""
