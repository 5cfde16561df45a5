// The failure converter of scimflow's clients, workers and workflows: a failure's message and
// stack trace are moved into its encoded attributes, a payload, so the payload codec encrypts
// them with the rest. The worker loads it by path (`require`) and bundles it into the workflow
// code, hence plain CommonJS.
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
