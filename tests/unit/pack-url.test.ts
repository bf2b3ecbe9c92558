/**
 * The careful installer's URL rules (src/engine/pack/pack-url.ts, assertPackPath): files by path
 * stay in the pack folder and origin (no `%2e%2e/`, `http:evil.example/…`, `//host/…`), a pack
 * folder is https or http on this machine, and a redirect to another origin is refused unless
 * the file is pinned by sha256 or the target is the site's own download CDN.
 */
import { describe, expect, it } from 'vitest';
import { assertPackFolderUrl, assertRedirectAllowed, packFileUrl } from '../../src/engine/pack/pack-url';
import { assertPackPath } from '../../src/engine/pack/transfer';
import { thrown } from '../helpers/errors';

const BASE = 'https://packs.example.org/wan/';

describe('pack file paths', () => {
  it('resolves plain paths inside the folder', () => {
    expect(packFileUrl('onnx/transformer.onnx', BASE)).toBe(
      'https://packs.example.org/wan/onnx/transformer.onnx',
    );
    expect(() => assertPackPath('onnx/model_q4f16.onnx_data')).not.toThrow();
  });

  it.each([
    '%2e%2e/x.onnx',
    '%2E%2E/%2e%2e/x.onnx',
    'a%2fb.onnx',
    'http:evil.example/x.onnx',
    'https:x.onnx',
    '//evil.example/x.onnx',
    '../x.onnx',
    'a/../../x.onnx',
    'x.onnx?y=1',
    'x.onnx#frag',
    'a\\b.onnx',
  ])('refuses "%s" in pack.json and when resolving it', (path) => {
    const err = thrown(() => assertPackPath(path));
    expect(err.code).toBe('invalid-manifest');
    expect(err.message).toContain(`"${path}"`);
    expect(() => packFileUrl(path, BASE)).toThrow(
      expect.objectContaining({
        code: 'invalid-manifest',
        message: expect.stringMatching(/outside the pack folder https:\/\/packs\.example\.org\/wan\//),
      }),
    );
  });
});

describe('pack folder URLs', () => {
  it('accepts https anywhere and http on this machine only', () => {
    expect(assertPackFolderUrl('https://huggingface.co/x/y/resolve/main/').host).toBe('huggingface.co');
    expect(assertPackFolderUrl('http://127.0.0.1:8080/pack/').port).toBe('8080');
    expect(assertPackFolderUrl('http://localhost/pack/').hostname).toBe('localhost');
    const err = thrown(() => assertPackFolderUrl('http://packs.example.org/wan/'));
    expect([err.code, err.fields?.url]).toEqual(['invalid-request', 'http is only allowed for localhost']);
    expect(err.message).toMatch(/plain http on another machine: packs install over https only/);
    expect(thrown(() => assertPackFolderUrl('ftp://x/')).message).toMatch(/is not a pack URL/);
    expect(thrown(() => assertPackFolderUrl('https://user:pw@x.org/')).code).toBe('invalid-request');
  });
});

describe('redirects', () => {
  const to = (url: string) => ({ url, redirected: true });
  it("allows same-origin redirects, the site's download CDN, and any redirect of a sha256-pinned file", () => {
    expect(() =>
      assertRedirectAllowed(`${BASE}a.onnx`, to('https://packs.example.org/other/a.onnx'), 'a.onnx', false),
    ).not.toThrow();
    expect(() =>
      assertRedirectAllowed(
        'https://huggingface.co/o/r/resolve/main/a.onnx',
        to('https://cas-bridge.xethub.hf.co/xet-bridge-us/abc'),
        'a.onnx',
        false,
      ),
    ).not.toThrow();
    expect(() =>
      assertRedirectAllowed(`${BASE}a.onnx`, to('https://elsewhere.example.net/a.onnx'), 'a.onnx', true),
    ).not.toThrow();
    expect(() =>
      assertRedirectAllowed(`${BASE}a.onnx`, { url: `${BASE}a.onnx`, redirected: false }, 'a.onnx', false),
    ).not.toThrow();
  });

  it('refuses an unpinned file redirected to another site, naming both', () => {
    const err = thrown(() =>
      assertRedirectAllowed(`${BASE}a.onnx`, to('https://evil.example/a.onnx'), 'Model file a.onnx', false),
    );
    expect(err.code).toBe('missing-file');
    expect(err.message).toMatch(
      /^Model file a\.onnx: https:\/\/packs\.example\.org redirected the download to another site \(https:\/\/evil\.example\)\. .*add sha256/,
    );
    expect(() =>
      assertRedirectAllowed('https://huggingface.co/a', to('http://x.hf.co/a'), 'a', false),
    ).toThrow();
    expect(() =>
      assertRedirectAllowed('https://huggingface.co/a', to('https://hf.co.evil.example/a'), 'a', false),
    ).toThrow();
  });
});
