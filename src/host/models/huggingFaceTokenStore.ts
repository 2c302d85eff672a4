// The Hugging Face access token for gated and private repos: kept in VS Code's SecretStorage (the OS keychain),
// never in settings. Without a stored one, the token the Hugging Face tools use (HF_TOKEN, or the login file in
// HF_HOME) is used.
import * as os from 'node:os';
import type * as vscode from 'vscode';
import { huggingFaceTokenFromEnvironment, type FoundToken } from '../../node/modelStore/huggingFaceToken';

export const HUGGING_FACE_TOKEN_SECRET = 'localDiffusion.huggingFaceToken';

export class HuggingFaceTokenStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(): Promise<FoundToken | undefined> {
    const stored = (await this.secrets.get(HUGGING_FACE_TOKEN_SECRET))?.trim();
    if (stored) return { token: stored, source: 'VS Code secret storage' };
    return huggingFaceTokenFromEnvironment(process.env, os.homedir());
  }

  async hasStored(): Promise<boolean> {
    return Boolean(await this.secrets.get(HUGGING_FACE_TOKEN_SECRET));
  }

  async set(token: string): Promise<void> {
    await this.secrets.store(HUGGING_FACE_TOKEN_SECRET, token.trim());
  }

  async delete(): Promise<void> {
    await this.secrets.delete(HUGGING_FACE_TOKEN_SECRET);
  }
}
