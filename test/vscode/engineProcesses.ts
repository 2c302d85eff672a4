// The engine child processes of this extension host, read from /proc (Linux): what the user's process list shows,
// independent of what the extension says about itself.
import * as fs from 'node:fs';

/** True where child processes can be listed (/proc); elsewhere the tests that need it skip that part. */
export function canListEngineProcesses(): boolean {
  return process.platform === 'linux' && fs.existsSync('/proc/self/stat');
}

/**
 * Process ids of the children of this extension host that run the engine bundle (dist/engine.js or
 * LOCAL_DIFFUSION_ENGINE). A killed engine stays listed (as a zombie) until the host has reaped it, i.e. until
 * the host has seen its exit.
 */
export function engineProcessIds(): number[] {
  const entry = process.env.LOCAL_DIFFUSION_ENGINE || 'engine.js';
  const found: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after the last ')'.
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid) continue;
      const argv = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (argv.some((arg) => arg.endsWith(entry))) found.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return found.sort((a, b) => a - b);
}
