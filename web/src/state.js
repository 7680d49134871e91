// What the whole app knows: the signed-in user and the projects they see.
import { get, setCsrfToken } from './api.js';

export const state = {
  user: null,
  projects: [],
  server: null,
};

export function signedIn(session) {
  state.user = session.user;
  setCsrfToken(session.csrf_token);
}

export function signedOut() {
  state.user = null;
  state.projects = [];
  setCsrfToken(null);
}

export async function loadProjects() {
  const body = await get('/api/v1/projects');
  state.projects = body.projects || [];
  return state.projects;
}

export function findProject(id) {
  return state.projects.find((p) => p.id === id) || null;
}

// A project's first key, held in memory only between creating the project and
// showing the key once on its keys page.
let newKey = null;

export function rememberNewKey(projectId, apiKey) {
  newKey = { projectId, apiKey };
}

// The key remembered for this project, once: later calls return null.
export function takeNewKey(projectId) {
  if (!newKey || newKey.projectId !== projectId) return null;
  const { apiKey } = newKey;
  newKey = null;
  return apiKey;
}

const LAST_PROJECT = 'agentsudo.lastProject';

export function rememberProject(id) {
  try {
    localStorage.setItem(LAST_PROJECT, id);
  } catch {
    /* private mode: nothing to remember */
  }
}

export function lastProject() {
  try {
    return localStorage.getItem(LAST_PROJECT);
  } catch {
    return null;
  }
}
