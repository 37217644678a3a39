import { asString } from '../model';
import { containersOf, describeObject, podTemplateRule } from './_pod';

/** The tag of an image reference, '' when there is none, or undefined when pinned by digest. */
export function tagOf(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  return colon < 0 ? '' : lastPart.slice(colon + 1);
}

export const latestImageTag = podTemplateRule({
  id: 'latest-image-tag',
  severity: 'warning',
  summary: 'An image with :latest or no tag: stable and canary can run the same code, and a rollback cannot go back.',
  check({ object, template, report }) {
    for (const container of containersOf(template, true)) {
      const image = asString(container.container.image);
      if (!image) continue;
      const tag = tagOf(image);
      if (tag !== '' && tag !== 'latest') continue;
      report({
        path: [...container.path, 'image'],
        message: `Container ${container.name} of ${describeObject(object)} uses ${tag === '' ? `${image} with no tag (so :latest)` : image}: which code runs depends on when each node pulled, a canary may run the same code as stable, and a rollback re-pulls whatever latest is now. Pin a version tag or a digest.`,
      });
    }
  },
});
