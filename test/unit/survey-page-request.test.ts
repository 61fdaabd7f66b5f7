import { describe, expect, it } from 'vitest';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '#shared/domain/errors';
import { readSurveyPageRequest } from '#shared/web/survey-page-request';
import { httpEvent } from '../helpers/apigw.ts';

const event = (
  method: string,
  opts: { body?: string; headers?: Record<string, string>; path?: string } = {},
) => httpEvent({ method, path: opts.path ?? '/s/tok%2Fen', ...opts });

describe('reading a web survey page request', () => {
  it('GET: the decoded token, and JSON only when asked for without HTML', () => {
    expect(readSurveyPageRequest(event('GET'))).toEqual({ token: 'tok/en', asJson: false, method: 'GET' });
    expect(readSurveyPageRequest(event('GET', { headers: { accept: 'application/json' } })).asJson).toBe(
      true,
    );
    expect(
      readSurveyPageRequest(event('GET', { headers: { accept: 'text/html, application/json' } })).asJson,
    ).toBe(false);
    expect(readSurveyPageRequest(event('GET', { path: '/s/%E0%A4%A' })).token).toBe('');
  });

  it('POST form: the fields as posted, reasons repeated, line breaks normalised', () => {
    const r = readSurveyPageRequest(
      event('POST', {
        body: 'rating=3&reasons=1&reasons=4&comment=a%0D%0Ab',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    const values = { rating: '3', reasons: ['1', '4'], comment: 'a\nb' };
    expect(r).toMatchObject({ method: 'POST', answer: { values, input: values } });
  });

  it('POST JSON: the body to validate, and its fields as strings for the form', () => {
    const body = { rating: 3, reasons: [1], comment: 'x' };
    const r = readSurveyPageRequest(
      event('POST', { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    );
    expect(r).toMatchObject({
      method: 'POST',
      answer: { values: { rating: '3', reasons: ['1'], comment: 'x' }, input: body },
    });
  });

  it('POST that cannot be read: the reason kept for the page to answer', () => {
    const big = readSurveyPageRequest(
      event('POST', { body: 'x'.repeat(70_000), headers: { 'content-type': 'application/json' } }),
    );
    expect(big).toMatchObject({ answer: { unreadable: expect.any(PayloadTooLargeError) } });
    const text = readSurveyPageRequest(
      event('POST', { body: 'hi', headers: { 'content-type': 'text/plain' } }),
    );
    expect(text).toMatchObject({ answer: { unreadable: expect.any(UnsupportedMediaTypeError) } });
  });
});
