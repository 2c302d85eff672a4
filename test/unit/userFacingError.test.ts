import * as assert from 'node:assert/strict';
import { ErrorCode, RpcFailure } from '../../src/common/protocol/rpc';
import { userFacingError } from '../../src/common/protocol/userFacingError';

const CONCAT =
  "Non-zero status code returned while running Concat node. Name:'/Concat_9' Status Message: concat.cc:154 PrepareForCompute Non concat axis dimensions must match: Axis 2 has mismatched dimensions of 8 and 7";

describe('userFacingError', () => {
  it('ONNX Runtime text becomes one plain sentence; the raw text goes to the detail', () => {
    const mapped = userFacingError(new RpcFailure(ErrorCode.Internal, CONCAT, 'at Session.run'));
    assert.doesNotMatch(mapped.message, /Non-zero|Concat_9|Status Message|concat\.cc/);
    assert.match(mapped.message, /could not run with these settings/);
    assert.match(mapped.message, /Show Log/);
    assert.ok(mapped.detail?.includes(CONCAT) && mapped.detail.includes('at Session.run'));
  });

  it('an RpcError as it arrives over the wire (a plain object) is mapped the same way', () => {
    const mapped = userFacingError({ code: ErrorCode.Internal, message: `[ONNXRuntimeError] : 2 : INVALID_ARGUMENT : ${CONCAT}` });
    assert.doesNotMatch(mapped.message, /ONNXRuntimeError|INVALID_ARGUMENT/);
  });

  it('allocation failures read as out of memory', () => {
    const mapped = userFacingError(new RpcFailure(ErrorCode.Internal, 'Failed to allocate memory for requested buffer of size 123456789'));
    assert.match(mapped.message, /ran out of memory/);
  });

  it('our own plain messages are kept as they are', () => {
    const text = 'The width 1200 is not a multiple of 64, the size this model takes.';
    assert.deepEqual(userFacingError(new RpcFailure(ErrorCode.InvalidParams, text)), { message: text });
    assert.equal(userFacingError('just text').message, 'just text');
  });
});
