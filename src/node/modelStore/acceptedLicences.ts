// The command line remembers accepted model licences in the models folder (the extension keeps them in its
// global state): "<modelsDir>/.accepted-licences.json" = { "<catalog id>:<licence name>": "<ISO date>" }.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';

export const ACCEPTED_LICENCES_FILE = '.accepted-licences.json';

export async function readAcceptedLicences(modelsDir: string): Promise<Record<string, string>> {
  try {
    const value = JSON.parse(await fsp.readFile(path.join(modelsDir, ACCEPTED_LICENCES_FILE), 'utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export async function recordAcceptedLicence(modelsDir: string, key: string, when: Date = new Date()): Promise<void> {
  const accepted = { ...(await readAcceptedLicences(modelsDir)), [key]: when.toISOString() };
  await fsp.mkdir(modelsDir, { recursive: true });
  await fsp.writeFile(path.join(modelsDir, ACCEPTED_LICENCES_FILE), `${JSON.stringify(accepted, null, 2)}\n`);
}
