// vf-graphql conformance: builds the reference schema for the modules ovn implements and
// lists every breaking change (graphql-js findBreakingChanges) between it and schema.graphql.
// Usage: node validate.js ../../schema.graphql module1 module2 ...
const fs = require('fs');
const { buildSchema } = require('graphql');
const vf = require('@valueflows/vf-graphql');

const [schemaPath, ...modules] = process.argv.slice(2);
if (!schemaPath || modules.length === 0) {
  console.error('usage: node validate.js SCHEMA MODULE...');
  process.exit(2);
}
const ours = buildSchema(fs.readFileSync(schemaPath, 'utf8'));
const breaking = vf.validate(ours, modules);
if (breaking.length > 0) {
  console.error(`vf-graphql ${require('@valueflows/vf-graphql/package.json').version}: ${breaking.length} breaking change(s) for modules ${modules.join(', ')}:`);
  for (const change of breaking) console.error(`  ${change.type}: ${change.description}`);
  process.exit(1);
}
console.log(`vf-graphql conformance: no breaking change for modules ${modules.join(', ')}`);
