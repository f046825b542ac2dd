// A real SMTP server for the end-to-end tests: the e2e Warta server sends
// its mail here over SMTP (SMTP_URL), as to a production relay, and the
// specs read what arrived through a small HTTP API:
//
//   GET /ready                 200 once both listeners are up
//   GET /messages?to=ADDRESS   the messages to ADDRESS (any case), oldest
//                              first: [{ "to": [...], "raw": "..." }]
//
// Ports: E2E_SMTP_PORT (SMTP, default 3125) and E2E_SMTP_HTTP_PORT (HTTP,
// default 3126), both on 127.0.0.1 only.
import http from 'node:http';
import { SMTPServer } from 'smtp-server';

const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 3125);
const httpPort = Number(process.env.E2E_SMTP_HTTP_PORT ?? 3126);
const messages = [];

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  logger: false,
  size: 10 * 1024 * 1024,
  onData(stream, session, done) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      messages.push({
        to: session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
        raw: Buffer.concat(chunks).toString('utf8'),
      });
      done();
    });
  },
});
smtp.listen(smtpPort, '127.0.0.1');

http
  .createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/ready') {
      response.end('ready');
      return;
    }
    if (url.pathname === '/messages') {
      const to = (url.searchParams.get('to') ?? '').toLowerCase();
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(messages.filter((message) => !to || message.to.includes(to))));
      return;
    }
    response.statusCode = 404;
    response.end();
  })
  .listen(httpPort, '127.0.0.1');
