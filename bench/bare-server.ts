import http from 'node:http';

/**
 * The ingest baseline: a bare node:http server that reads and parses the same JSON body and
 * answers 202, storing nothing. steplog's ingest figures are reported as a ratio of this one's.
 */
const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString()) as { events?: unknown[] };
    response.writeHead(202, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ accepted: body.events?.length ?? 1 }));
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
});
