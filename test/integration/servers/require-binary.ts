import fs from 'node:fs';

/**
 * The path of a server binary the integration tests need, or an error that says which Debian
 * package brings it: the integration command fails loudly, it never skips.
 */
export function requireBinary(candidates: readonly string[], debianPackage: string): string {
  const found = candidates.find((file) => fs.existsSync(file));
  if (found !== undefined) return found;
  throw new Error(
    `${candidates[0]} is missing: install it with \`apt-get update && apt-get install -y --no-install-recommends ${debianPackage}\` ` +
      '(`.ci/run` installs every server listed in .ci/packages.d/)',
  );
}
