// The front page: the directory for a session, the login form otherwise.
import { me } from '../lib/api.js';
import { go } from '../app.js';

export async function render() {
  go(me ? '/directory' : '/login', true);
}
