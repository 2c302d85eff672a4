import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkDiskSpace, DISK_SPACE_MARGIN_BYTES, freeDiskBytes } from '../../src/node/modelStore/diskSpace';
import { defaultModelsDir } from '../../src/node/modelStore/modelsFolder';
import { ModelStoreError } from '../../src/node/modelStore/modelStoreError';
import { modelsFolderFor } from '../../src/host/models/modelStorage';

describe('models folder and disk space', () => {
  it('the CLI default follows the platform conventions, with an override', () => {
    assert.equal(defaultModelsDir({}, 'linux', '/home/u'), '/home/u/.local/share/local-diffusion/models');
    assert.equal(defaultModelsDir({ XDG_DATA_HOME: '/data' }, 'linux', '/home/u'), '/data/local-diffusion/models');
    assert.equal(defaultModelsDir({}, 'darwin', '/Users/u'), '/Users/u/Library/Application Support/local-diffusion/models');
    assert.equal(defaultModelsDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u'), 'C:\\Users\\u\\AppData\\Local\\local-diffusion\\models');
    assert.equal(defaultModelsDir({ LOCAL_DIFFUSION_MODELS_DIR: '/m' }, 'linux', '/home/u'), '/m');
  });

  it('the extension uses localDiffusion.modelsFolder when absolute, else its global storage', () => {
    assert.deepEqual(modelsFolderFor('', '/gs', '/home/u'), { dir: path.join('/gs', 'models') });
    assert.deepEqual(modelsFolderFor(' /data/models/ ', '/gs', '/home/u'), { dir: path.resolve('/data/models') });
    assert.deepEqual(modelsFolderFor('~/models', '/gs', '/home/u'), { dir: path.join('/home/u', 'models') });
    const relative = modelsFolderFor('models', '/gs', '/home/u');
    assert.equal(relative.dir, path.join('/gs', 'models'));
    assert.match(relative.problem ?? '', /must be an absolute folder, not "models"/);
  });

  it('measures free space on the nearest existing folder and refuses a download that does not fit', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-disk-'));
    try {
      const free = await freeDiskBytes(path.join(root, 'not', 'yet', 'created'));
      assert.ok(free > 0 && Number.isFinite(free));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    checkDiskSpace(1_000, 1_000 + DISK_SPACE_MARGIN_BYTES, '/m');
    assert.throws(
      () => checkDiskSpace(3 * 1024 ** 3, 2 * 1024 ** 3, '/m'),
      (e: unknown) => e instanceof ModelStoreError && e.code === 'diskFull' && /^Not enough disk space in \/m: the download needs 3\.0 GB \(plus 256\.0 MB to spare\), 2\.0 GB is free\./.test(e.message),
    );
  });
});
