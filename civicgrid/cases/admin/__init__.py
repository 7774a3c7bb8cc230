"""Maintaining the routing table and the category catalogue (`cases.manage_routing`): the actions, the
forms' input shape and the admin pages."""
