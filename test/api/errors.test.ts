import { describe, expect, it } from 'vitest';
import { ApiError, conflict, invalid, isApiError, notFound } from '../../libs/api/errors.js';

describe('ApiError', () => {
  it('serialises to SPEC §1 error body', () => {
    const err = invalid('modules.face_recognition.top_k', 'must be an integer from 1 to 10, got 11');
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toBeInstanceOf(Error);
    expect(err.status).toBe(400);
    expect(JSON.stringify(err.toBody())).toBe(
      '{"error":{"code":"invalid_request","field":"modules.face_recognition.top_k","message":"must be an integer from 1 to 10, got 11"}}',
    );
  });

  it('has helpers for 404 and 409', () => {
    const missing = notFound('job 1234');
    expect([missing.status, missing.code, missing.field, missing.message]).toEqual([404, 'not_found', null, 'job 1234 not found']);
    const taken = conflict('name', 'a model named "x" already exists');
    expect([taken.status, taken.code, taken.field]).toEqual([409, 'conflict', 'name']);
    expect(taken.toBody().error.message).toBe('a model named "x" already exists');
  });

  it('is recognised by isApiError only', () => {
    expect(isApiError(invalid(null, 'x'))).toBe(true);
    expect(isApiError(new Error('x'))).toBe(false);
    expect(isApiError({ status: 400 })).toBe(false);
  });
});
