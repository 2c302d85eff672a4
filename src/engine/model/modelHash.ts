// "Model hash" for the A1111 infotext (A1111 modules/sd_models.py model_hash / shorthash: the first 10 hex digits of a SHA-256). Our models are
// folders, so we hash the UNet's model.onnx, which identifies the weights of the denoiser (for fp32 exports
// with external data, the graph file, which pins the external file's layout too). Hashed in a worker thread,
// started when the model loads, cached per path + size + mtime.
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const fs = require('node:fs');
const hash = crypto.createHash('sha256');
const stream = fs.createReadStream(workerData, { highWaterMark: 4 << 20 });
stream.on('data', (chunk) => hash.update(chunk));
stream.on('error', (e) => parentPort.postMessage({ error: e.message }));
stream.on('end', () => parentPort.postMessage({ hex: hash.digest('hex') }));
`;

const cache = new Map<string, Promise<string>>();

export function sha256File(file: string): Promise<string> {
  const stat = fs.statSync(file);
  const key = `${file}\0${stat.size}\0${stat.mtimeMs}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = new Promise<string>((resolve, reject) => {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: file });
      worker.once('message', (m: { hex?: string; error?: string }) => {
        if (m.hex) resolve(m.hex);
        else reject(new Error(m.error ?? 'hashing failed'));
        void worker.terminate();
      });
      worker.once('error', reject);
    });
    pending.catch(() => cache.delete(key));
    cache.set(key, pending);
  }
  return pending;
}

/** A1111 "Model hash": the first 10 hex digits. */
export async function modelShortHash(unetFile: string): Promise<string> {
  return (await sha256File(unetFile)).slice(0, 10);
}
