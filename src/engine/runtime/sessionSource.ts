// What ONNX Runtime is handed for one component: its model.onnx path, or a rewritten graph in memory.
//
// Measured with onnxruntime-node 1.30 on CPU (npm run bench:memory): from a path, external data is memory-mapped
// and fp32 weights end at about 1.2× their size whether embedded or external; from a buffer, embedded weights are
// held twice (2.2×); fp16 weights embedded in model.onnx peak 0.9× higher than the same weights as external data
// (the parsed protobuf stays alive while ORT expands them). So a component that embeds large weights is handed
// a graph whose initializers are external-data references into its own model.onnx (offsets of raw_data), loaded
// from memory with session.model_external_initializers_file_folder_path = its folder: ORT then reads them as
// external data, and nothing is copied to disk. Graph edits (graphEdit.ts) go the same way; the edited graph,
// edited initializers included, is cached on disk per model + edit set.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyGraphEdits, type GraphEdit } from '../../node/onnx/graphEdit';
import { embeddedDataBytes } from '../../node/onnx/onnxModel';
import { isFileRange, type ProtoPart } from '../../node/onnx/protoWriter';
import { readOnnxModel } from '../../node/onnx/readOnnxModel';
import { rewriteOnnxModel } from '../../node/onnx/rewriteOnnxModel';

export type SessionSource =
  | { kind: 'file'; file: string }
  /** A graph in memory whose external data locations are relative to `folder` (the original model's). */
  | { kind: 'graph'; file: string; bytes: Uint8Array; folder: string };

export interface SessionSourceOptions {
  edits?: readonly GraphEdit[];
  /** Where edited graphs are cached (one file per model + edit set); undefined: not cached. */
  cacheDir?: string;
  /** A model.onnx embedding at least this many bytes of weights is handed over as a rewritten graph. */
  embeddedThreshold?: number;
}

/** 64 MiB: below it the rewrite saves too little to matter (the sample models load as they are). */
export const EMBEDDED_THRESHOLD = 64 << 20;
/** Embedded tensors from this size on become references; smaller ones stay in the graph. */
const REFERENCE_FROM = 4096;
/** Bumped when the rewrite changes, so old cache entries are not reused. */
const CACHE_FORMAT = 1;

export async function prepareSessionSource(file: string, options: SessionSourceOptions = {}): Promise<SessionSource> {
  const edits = options.edits ?? [];
  if (edits.length === 0 && fs.statSync(file).size < (options.embeddedThreshold ?? EMBEDDED_THRESHOLD)) return { kind: 'file', file };
  if (edits.length === 0) {
    try {
      const model = readOnnxModel(file);
      if (embeddedDataBytes(model) < (options.embeddedThreshold ?? EMBEDDED_THRESHOLD)) return { kind: 'file', file };
      const bytes = joinParts(rewriteOnnxModel(model, { referenceEmbeddedFrom: REFERENCE_FROM }));
      return { kind: 'graph', file: model.file, bytes, folder: path.dirname(model.file) };
    } catch {
      // A file this reader does not take (ORT may still): hand ORT the path; its own error, if any, is the one shown.
      return { kind: 'file', file };
    }
  }
  const model = readOnnxModel(file);
  const folder = path.dirname(model.file);
  const key = createHash('sha256')
    .update(JSON.stringify({ format: CACHE_FORMAT, file: model.file, size: model.fileSize, mtime: model.mtimeMs, edits: edits.map((e) => e.key) }))
    .digest('hex')
    .slice(0, 32);
  const cached = options.cacheDir ? path.join(options.cacheDir, `${key}.onnx`) : undefined;
  if (cached && fs.existsSync(cached)) return { kind: 'graph', file: model.file, bytes: fs.readFileSync(cached), folder };
  const bytes = joinParts(rewriteOnnxModel(model, await applyGraphEdits(model, edits, REFERENCE_FROM)));
  if (cached) {
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    const temporary = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, bytes);
    fs.renameSync(temporary, cached);
  }
  return { kind: 'graph', file: model.file, bytes, folder };
}

/** The parts in one array, reading the file ranges (structure and small tensors: a few megabytes). */
function joinParts(parts: readonly ProtoPart[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  const fds = new Map<string, number>();
  try {
    let at = 0;
    for (const part of parts) {
      if (isFileRange(part)) {
        let fd = fds.get(part.file);
        if (fd === undefined) fds.set(part.file, (fd = fs.openSync(part.file, 'r')));
        for (let done = 0; done < part.length; ) {
          const n = fs.readSync(fd, out, at + done, part.length - done, part.offset + done);
          if (n === 0) throw new Error(`${part.file} ends before ${part.offset + part.length}`);
          done += n;
        }
      } else out.set(part, at);
      at += part.length;
    }
  } finally {
    for (const fd of fds.values()) fs.closeSync(fd);
  }
  return out;
}
