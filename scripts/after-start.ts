/** The last words of `npm start`: how to open what the demo produced. */
process.stdout.write(`
The documentation site is built with the demo's evidence (site/dist/).
Open it:
  npm run site:serve        then browse http://127.0.0.1:4321/  (the demo's evidence: /releases/0.1.0-demo/)
Search and every page work offline; nothing is fetched from outside 127.0.0.1.
`);
