// The Hugging Face token the command line uses (and the extension when none is stored in SecretStorage), found
// where huggingface_hub looks (constants.py, utils/_auth.py): HF_TOKEN, then the legacy HUGGING_FACE_HUB_TOKEN,
// then the file `huggingface-cli login` / `hf auth login` writes: HF_TOKEN_PATH, else $HF_HOME/token.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { huggingFaceHome } from './huggingFaceCache';

type Env = Readonly<Record<string, string | undefined>>;

export interface FoundToken {
  token: string;
  /** Where it came from, for the log (never the token itself). */
  source: string;
}

export function huggingFaceTokenFromEnvironment(
  env: Env,
  homedir: string,
  readFile: (file: string) => string = (file) => fs.readFileSync(file, 'utf8'),
): FoundToken | undefined {
  for (const name of ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN']) {
    const value = env[name]?.trim();
    if (value) return { token: value, source: name };
  }
  const file = env.HF_TOKEN_PATH || path.join(huggingFaceHome(env, homedir), 'token');
  try {
    const token = readFile(file).trim();
    if (token) return { token, source: file };
  } catch {
    // no login file
  }
  return undefined;
}
