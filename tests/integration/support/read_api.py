"""Reading a project's events back through GET /api/v1/projects/{id}/events."""

from __future__ import annotations

import urllib.parse


class ReadApiDriver:
    """The read-API half of `Server`: needs `get` and `token`."""

    def read(self, project_id, token=None, headers=None, **params):
        token = self.token() if token is None else token
        hdrs = {"Authorization": f"Bearer {token}"} if token else {}
        hdrs.update(headers or {})
        q = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        path = f"/api/v1/projects/{project_id}/events" + (f"?{q}" if q else "")
        return self.get(path, headers=hdrs)

    def all_events(self, project_id, page_size=1000, **filters):
        """Every event of the project matching filters, paging with the cursor."""
        events = []
        cursor = None
        for _ in range(100000):
            r = self.read(project_id, limit=page_size, cursor=cursor, **filters)
            assert r.status == 200, r
            events.extend(r.json["events"])
            cursor = r.json["next_cursor"]
            if cursor is None:
                return events
        raise AssertionError("pagination does not end")

    def count(self, project_id, **filters):
        return len(self.all_events(project_id, **filters))
