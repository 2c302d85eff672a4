import * as assert from 'node:assert/strict';
import { isOrtLogLine, ortLogLevelFor, parseOrtLogLevel } from '../../src/common/ortLogLevel';

describe('ONNX Runtime log level for the engine process', () => {
  it('follows the host log: ORT warnings at debug, its info at trace, only fatal otherwise', () => {
    assert.equal(ortLogLevelFor('debug'), 'warning');
    assert.equal(ortLogLevelFor('trace'), 'info');
    for (const level of ['info', 'warning', 'error', 'off'] as const) assert.equal(ortLogLevelFor(level), 'fatal');
  });

  it('parses only ORT level names', () => {
    assert.equal(parseOrtLogLevel('verbose'), 'verbose');
    assert.equal(parseOrtLogLevel('debug'), undefined);
    assert.equal(parseOrtLogLevel(undefined), undefined);
  });

  it('tells ORT\'s own stderr lines from others', () => {
    assert.ok(isOrtLogLine('2026-11-30 10:00:00.123 [W:onnxruntime:, telemetry.cc:800 Init] Failed to persist telemetry device ID'));
    assert.ok(isOrtLogLine("[E:onnxruntime:, sequential_executor.cc:572 ExecuteKernel] Non-zero status code returned while running Concat node."));
    assert.ok(!isOrtLogLine('fake engine: a line on stderr'));
    assert.ok(!isOrtLogLine('Error: onnxruntime failed'));
  });
});
