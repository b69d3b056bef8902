#!/usr/bin/env node
// A local Bluesky Personal Data Server with its own PLC directory, for tests and trying things by hand.
//
//   node tests/bluesky_pds/run.js            # free 127.0.0.1 ports, temporary data directory
//   PDS_PORT=2583 node tests/bluesky_pds/run.js
//
// No internet: the PLC directory runs in this process (in memory), the PDS keeps its data in
// SQLite files in a temporary directory that is removed on exit, invites are off and handles end
// in ".test". When both servers listen, one JSON line goes to stdout:
//   {"ready": true, "pds_url": "http://127.0.0.1:…", "plc_url": "http://127.0.0.1:…", "admin_password": "…"}
// The process stops on SIGTERM/SIGINT, and with --exit-with-stdin also when its stdin closes (the test
// fixture uses that, so a dying test run takes the server along).
'use strict'

const crypto = require('node:crypto')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')

process.env.LOG_ENABLED = process.env.LOG_ENABLED || 'false'

const { Secp256k1Keypair } = require('@atproto/crypto')
const pds = require('@atproto/pds')
const plc = require('@did-plc/server')

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.unref()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}

async function main() {
  const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-bluesky-pds-'))
  const plcServer = plc.PlcServer.create({ db: plc.Database.mock(), port: 0 })
  const plcHttp = await plcServer.start()
  const plcUrl = `http://127.0.0.1:${plcHttp.address().port}`

  const port = Number(process.env.PDS_PORT) || (await freePort())
  const rotationKey = await Secp256k1Keypair.create({ exportable: true })
  const recoveryKey = await Secp256k1Keypair.create()
  const adminPassword = crypto.randomBytes(12).toString('hex')
  const env = {
    devMode: true,
    port,
    hostname: 'localhost',
    serviceName: 'Planbeteiligung test PDS',
    dataDirectory,
    blobstoreDiskLocation: path.join(dataDirectory, 'blobs'),
    didPlcUrl: plcUrl,
    recoveryDidKey: recoveryKey.did(),
    plcRotationKeyK256PrivateKeyHex: Buffer.from(await rotationKey.export()).toString('hex'),
    jwtSecret: crypto.randomBytes(16).toString('hex'),
    adminPassword,
    serviceHandleDomains: ['.test'],
    inviteRequired: false,
    rateLimitsEnabled: false,
    disableSsrfProtection: true,
    // No app view or moderation service: reads go to the PDS itself, nothing leaves the machine.
    bskyAppViewUrl: 'https://appview.invalid',
    bskyAppViewDid: 'did:example:invalid',
    modServiceUrl: 'https://moderator.invalid',
    modServiceDid: 'did:example:invalid',
    crawlers: [],
  }
  const server = await pds.PDS.create(pds.envToCfg(env), pds.envToSecrets(env))
  await server.start()

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    try {
      await server.destroy()
      await plcServer.destroy()
    } finally {
      fs.rmSync(dataDirectory, { recursive: true, force: true })
      process.exit(0)
    }
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  if (process.argv.includes('--exit-with-stdin')) {
    process.stdin.on('end', stop)
    process.stdin.on('close', stop)
    process.stdin.resume()
  }

  process.stdout.write(
    JSON.stringify({ ready: true, pds_url: `http://127.0.0.1:${port}`, plc_url: plcUrl, admin_password: adminPassword }) +
      '\n',
  )
}

main().catch((error) => {
  process.stderr.write(`bluesky_pds: ${error && error.stack ? error.stack : error}\n`)
  process.exit(1)
})
