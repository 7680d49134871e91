import { h, replace } from '../../dom.js';
import { notice } from '../../components/notice.js';
import { navigate } from '../../router.js';
import { state, lastProject } from '../../state.js';
import { findApproval } from './find-approval.js';

// /approvals?id=ID, the link a webhook message carries: finds which of the
// person's projects holds the request and opens it on that project's page.
export function renderApprovalLink(main, { projectUrl }) {
  document.title = 'Approval request · AgentSudo';
  const id = new URLSearchParams(location.search).get('id') || '';
  const status = h('div', null, h('p', { class: 'loading' }, 'Finding the request…'));
  replace(main, h('section', { class: 'page' }, h('h1', null, 'Approval request'), status));
  let disposed = false;

  (async () => {
    if (!id) {
      replace(status, notice('info', 'This link names no request. Choose a project to see its approvals.'));
      return;
    }
    const last = lastProject();
    const projects = [...state.projects].sort((a, b) => (b.id === last) - (a.id === last));
    for (const project of projects) {
      let found;
      try {
        found = await findApproval(project.id, id);
      } catch {
        continue; // a project that cannot be read now cannot hold it for this person
      }
      if (disposed) return;
      if (found) {
        navigate(`${projectUrl(project.id, 'approvals')}?id=${encodeURIComponent(id)}`, { replace: true });
        return;
      }
    }
    if (!disposed) replace(status, notice('error', `No project of yours holds approval request ${id}.`));
  })();

  return {
    dispose() {
      disposed = true;
    },
  };
}
