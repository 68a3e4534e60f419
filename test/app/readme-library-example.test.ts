import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/app-context';

/** The README's minimal library app, run as written (the package import pointed at this checkout). */
function readmeExample(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using the construct library'), readme.indexOf('## Checks'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README.md: no ts example under "Using the construct library"');
  return block[1];
}

describe("README's construct library example", () => {
  mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
  const scratch = mkdtempSync(join(REPO_ROOT, '.tmp', 'readme-example-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('synthesizes with only the props it shows, and the default names it promises', async () => {
    const source = readmeExample().replace("from 'lakehouse-blueprint'", `from ${JSON.stringify(join(REPO_ROOT, 'constructs'))}`);
    const file = join(scratch, 'app.ts');
    writeFileSync(file, `${source}\nexport { app };\n`);
    // The snippet's plain `new App()` would run aws-cdk-lib's built-in validation (seconds); this checks names.
    process.env.CDK_VALIDATION = 'false';
    const { app } = (await import(file)) as { app: App };
    const template = JSON.stringify(app.synth().getStackByName('Analytics').template);
    expect(template).toContain('"Name":"analytics_catalog_raw"');
    expect(template).toContain('"Name":"Analytics-Catalog"');
    expect(template).toContain('"Name":"orders"');
  });
});
