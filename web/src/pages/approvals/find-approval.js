import { get, projectPath, query } from '../../api.js';

const PAGE = 200;
const MAX_PAGES = 10;

// A request found by its id among a project's requests (the API lists, it
// has no read by id), or null. Ids are UUIDv7, so they sort by time: once a
// page (newest first) has gone past older ids, the request is not further on.
export async function findApproval(projectId, id) {
  let cursor = '';
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = await get(projectPath(projectId, `/approvals${query({ status: 'all', limit: PAGE, cursor })}`));
    const items = body.approvals || [];
    const hit = items.find((a) => a.id === id);
    if (hit) return hit;
    if (!body.next_cursor || (items.length && items[items.length - 1].id < id)) return null;
    cursor = body.next_cursor;
  }
  return null;
}
