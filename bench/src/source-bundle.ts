/**
 * Bundles an entry of the sources (`@kcp-ts/source`) with esbuild as tsup builds
 * the published packages (no `keepNames`): `@kcp-ts/*` inlined, third-party
 * imports left as imports of the very files the sources resolve to (a package's
 * own node_modules first: @kcp-ts/apiserver has ajv 8 where the root has ajv 6).
 * Benches run children from such bundles because under tsx every named closure
 * gets its name redefined (`__name`), which would inflate the figures.
 */
export async function bundleSources(entry: string, outfile: string): Promise<string> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@kcp-ts/source'],
    sourcemap: 'inline',
    logLevel: 'warning',
    plugins: [
      {
        name: 'external-dependencies',
        setup(b) {
          const nested = Symbol('nested');
          b.onResolve({ filter: /^[^./]/ }, async (args) => {
            if (args.path.startsWith('@kcp-ts/') || args.pluginData === nested) return undefined;
            const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: nested });
            if (resolved.errors.length > 0) return { errors: resolved.errors };
            return { path: resolved.path, external: true };
          });
        },
      },
    ],
  });
  return outfile;
}
