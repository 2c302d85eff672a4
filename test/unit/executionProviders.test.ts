import * as assert from 'node:assert/strict';
import { planProviders } from '../../src/engine/runtime/executionProviders';

describe('execution provider plans', () => {
  it('auto picks the platform GPU provider first, CPU last', () => {
    assert.deepEqual(planProviders('auto', ['dml', 'webgpu', 'cpu'], 'win32').candidates, ['dml', 'cpu']);
    assert.deepEqual(planProviders('auto', ['coreml', 'webgpu', 'cpu'], 'darwin').candidates, ['coreml', 'cpu']);
    assert.deepEqual(planProviders('auto', ['cuda', 'webgpu', 'cpu'], 'linux').candidates, ['cuda', 'cpu']);
  });

  it('auto on Linux without CUDA runs on the CPU and says why', () => {
    const plan = planProviders('auto', ['webgpu', 'cpu'], 'linux');
    assert.deepEqual(plan.candidates, ['cpu']);
    assert.match(plan.skipped.join(' '), /CUDA is not installed/);
  });

  it('an explicit provider that is not installed is skipped with a reason', () => {
    const plan = planProviders('cuda', ['webgpu', 'cpu'], 'linux');
    assert.deepEqual(plan.candidates, ['cpu']);
    assert.match(plan.skipped[0], /CUDA is not available: the CUDA provider library is not installed/);
    assert.match(planProviders('dml', ['cpu'], 'linux').skipped[0], /DirectML exists only in the Windows build/);
    assert.deepEqual(planProviders('webgpu', ['webgpu', 'cpu'], 'linux').candidates, ['webgpu', 'cpu']);
    assert.deepEqual(planProviders('cpu', ['dml', 'cpu'], 'win32'), { candidates: ['cpu'], skipped: [] });
  });
});
