import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from './codes.js';
import { codeInfo, hasCodeInfo } from './code-info.js';
import { httpStatusOf } from './polaris-error.js';

/** Codes polaris-server's code2info table has no text for (Go's Code2Info answers ""). */
const WITHOUT_TEXT = new Set<number>([
  Code.Unknown,
  Code.HeartbeatTypeNotFound,
  Code.InvalidRateLimitName,
  Code.CircuitBreakerRuleExisted,
  Code.InvalidRoutingPriority,
  Code.InvalidFaultDetectID,
  Code.InvalidFaultDetectName,
  Code.InvalidFaultDetectNamespace,
  Code.FaultDetectRuleExisted,
  Code.ServiceExistedFluxRateLimits,
  Code.EncryptConfigFileException,
  Code.GroupExistActiveRelease,
  Code.DecryptConfigFileException,
  Code.InvalidUserOwners,
  Code.InvalidUserMobile,
  Code.InvalidUserEmail,
  Code.InvalidUserGroupID,
  Code.InvalidAuthStrategyID,
]);

describe('code info table', () => {
  it('has an entry for every code of Code', () => {
    for (const [name, code] of Object.entries(Code)) {
      assert.ok(hasCodeInfo(code), `${name} (${code}) missing from the table`);
      const text = codeInfo(code);
      assert.equal(typeof text, 'string');
      if (WITHOUT_TEXT.has(code)) assert.equal(text, '', `${name} has no text in polaris-server`);
      else assert.ok(text.length > 0, `${name} (${code}) has no text`);
    }
  });

  it('has no entries for codes outside the contract', () => {
    assert.equal(hasCodeInfo(123456), false);
    assert.equal(codeInfo(123456), '');
  });

  it('uses polaris-server texts', () => {
    assert.equal(codeInfo(Code.ExecuteSuccess), 'execute success');
    assert.equal(codeInfo(Code.DataNoChange), 'discover data is no change');
    assert.equal(codeInfo(Code.ParseException), 'request decode failed');
    assert.equal(codeInfo(Code.ExistedResource), 'existed resource');
    assert.equal(codeInfo(Code.NotFoundResource), 'not found resource');
    assert.equal(codeInfo(Code.NotFoundInstance), 'not found instances');
    assert.equal(codeInfo(Code.InvalidQueryInsParameter), 'query instance, service or namespace or host is required');
    assert.equal(codeInfo(Code.AuthTokenForbidden), 'token verify exception');
    assert.equal(codeInfo(Code.OperationRoleForbidden), 'operation role exception');
    assert.equal(codeInfo(Code.IPRateLimit), 'server limit the ip access');
    assert.equal(codeInfo(Code.APIRateLimit), 'server limit the api access');
    assert.equal(codeInfo(Code.StoreLayerException), 'store layer exception');
  });
});

describe('httpStatusOf', () => {
  it('maps a code to its first three digits', () => {
    assert.equal(httpStatusOf(200000), 200);
    assert.equal(httpStatusOf(400201), 400);
    assert.equal(httpStatusOf(401001), 401);
    assert.equal(httpStatusOf(404001), 404);
    assert.equal(httpStatusOf(500001), 500);
  });
});
