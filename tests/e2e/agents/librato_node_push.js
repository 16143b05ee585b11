// Drives librato-node 5.0.6 as an application does: increments, measures and timings, then one flush.
// Usage: node librato_node_push.js <server url> <token> <metric prefix>
// The server url goes in requestOptions.uri, the setting README "Point your agents at Polymetric" shows.
'use strict';

const librato = require('librato-node');

const [url, token, prefix] = process.argv.slice(2);

librato.configure({
  email: 'agent@example.com',
  token: token,
  period: 3600000, // never flushes by itself here: the script flushes once, below
  requestOptions: { uri: url + '/v1/metrics', maxAttempts: 1 },
});

librato.increment(prefix + 'hits');
librato.increment(prefix + 'hits');
librato.increment(prefix + 'hits', 3);
librato.increment(prefix + 'hits', 2, { source: 'web-2' });

librato.measure(prefix + 'temp', 21.5);
librato.measure(prefix + 'size', 10);
librato.measure(prefix + 'size', 20);
librato.measure(prefix + 'size', 60, { source: 'web-2' });

// librato.timing reads process.hrtime; each call here lasts exactly the given milliseconds.
const hrtime = process.hrtime;
function timed(name, ms, opts) {
  process.hrtime = (start) => (start ? [0, ms * 1e6] : hrtime());
  try {
    librato.timing(name, () => {}, opts);
  } finally {
    process.hrtime = hrtime;
  }
}
timed(prefix + 'render', 5);
timed(prefix + 'render', 15);
timed(prefix + 'render', 25);
timed(prefix + 'once', 7);

librato.on('error', (err) => {
  console.error(String(err));
  process.exitCode = 1;
});
librato.flush((err) => {
  if (err) {
    process.exitCode = 1;
    return;
  }
  console.log('flushed');
});
