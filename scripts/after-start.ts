/** The last words of `npm start`: how to open what the demo produced, read-only or with the runner. */
process.stdout.write(`
The documentation site is built with the demo's evidence (site/dist/).
Open it:
  npm run site:serve        then browse http://127.0.0.1:4321/  (the demo's evidence: /releases/0.1.0-demo/)
Search and every page work offline; nothing is fetched from outside 127.0.0.1.

Or open it with the runbook runner, to run the runbooks from their pages on this machine:
  npx airgap site serve     then open the URL it prints (http://127.0.0.1:4455/#token=…)
  e.g. on /runbooks/verify/: bundle .work/demo/bundle, trust .work/demo/keys/airgap.pub; Dry run, then Run…
`);
