// A workspace folder for one e2e run: a copy of a template (or an empty folder) under os.tmpdir(),
// so suites never write into the repository and never see each other's files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function freshWorkspace(template?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-workspace-'));
  if (template) fs.cpSync(template, dir, { recursive: true });
  return dir;
}
