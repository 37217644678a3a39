import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges } from '../../../../../test/helpers/manifests';
import { deployment } from '../../../../../test/helpers/pod-fixtures';

describe('latest-image-tag', () => {
  it('ok: a version tag, a digest, a registry port with a tag, a placeholder', () => {
    expectManifestRanges(
      'latest-image-tag',
      {
        'a.yaml': deployment(),
        'b.yaml': deployment({ image: 'checkout@sha256:0123456789abcdef' }),
        'c.yaml': deployment({ image: 'registry:5000/checkout:2.0.1' }),
        // A placeholder envsubst (or the reader) fills in before apply: the image is not known here.
        'd.yaml': deployment({ image: '${IMAGE_URL}' }),
        'e.yaml': deployment({ image: '$IMAGE_URL' }),
        'f.yaml': deployment({ image: '<LOAD_GENERATOR_IMAGE>' }),
        // Istio's gateway chart: `image: auto` is replaced by its injection webhook.
        'g.yaml': deployment({ image: 'auto' }),
      },
      [],
    );
  });
  it('err: :latest, no tag, and a registry port without a tag', () => {
    const found = expectManifestRanges(
      'latest-image-tag',
      {
        'a.yaml': deployment({ image: 'checkout:latest' }),
        'b.yaml': deployment({ image: 'checkout' }),
        'c.yaml': deployment({ image: 'registry:5000/checkout' }),
      },
      ['a.yaml 15:18-15:33', 'b.yaml 15:18-15:26', 'c.yaml 15:18-15:40'],
    );
    assert.match(found[1]!.message, /uses checkout with no tag \(so :latest\)/);
  });
});
