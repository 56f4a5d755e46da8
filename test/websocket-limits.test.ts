import 'reflect-metadata'
import fastifyWebsocket from '@fastify/websocket'
import Fastify from 'fastify'
import { test } from 'tap'
import { WebSocket } from 'ws'
import { rpcContext, rpcMethod, rpcPlugin, type RpcContext, type RpcPluginOptions } from '../index'
import { buildRegistry, buildDispatcher, type DispatchContext, type Dispatcher } from '../engine'
import { DEFAULT_WEBSOCKET_LIMITS } from '../plugin/options'
import { buildWebSocketHandler } from '../plugin/transports/websocket-transport'
import { CLOSE_GRACE_MS } from '../plugin/transports/websocket-session'
import { GreetingService } from '../services'
import { captureLogs } from './fixtures/app'
import { listenWs, nextServerSide, openPeer, until, withinTime } from './helpers/websocket-peer'

const KIB = 1024

/** Calls that wait for the test to let them go, and a count of what really started. */
class GatedService {
  started = 0
  private release: () => void = () => {}
  private readonly gate = new Promise<void>(resolve => { this.release = resolve })

  open (): void {
    this.release()
  }

  @rpcMethod()
  async hold (): Promise<string> {
    this.started++
    await this.gate
    return 'released'
  }

  @rpcMethod()
  size (pad: string): number {
    this.started++
    return pad.length
  }
}

/** Answers of a chosen size, a moment later, so several are running when they are written. */
class BigAnswerService {
  started = 0
  pushesAccepted = 0
  pushRefused = false
  openAfterPushes = true

  @rpcMethod()
  async big (bytes: number): Promise<string> {
    this.started++
    await new Promise(resolve => setImmediate(resolve))
    return 'x'.repeat(bytes)
  }

  @rpcMethod()
  flood (count: number, bytes: number, @rpcContext() ctx?: RpcContext): number {
    const chunk = 'y'.repeat(bytes)
    for (let seq = 0; seq < count; seq++) {
      if (ctx?.connection?.notify('chunk', { seq, chunk }) !== true) {
        this.pushRefused = true
        break
      }
      this.pushesAccepted++
    }
    this.openAfterPushes = ctx?.connection?.open === true
    return this.pushesAccepted
  }
}

class SleepService {
  @rpcMethod()
  async sleep (ms: number): Promise<string> {
    await new Promise(resolve => setTimeout(resolve, ms))
    return 'awake'
  }
}

/** An app that registers @fastify/websocket itself, so the test can watch the server's side of each connection. */
async function appWithOwnWs (options: RpcPluginOptions, wsOptions: { maxPayload?: number } = {}, logStream?: NodeJS.WritableStream): Promise<ReturnType<typeof Fastify>> {
  const app = Fastify(logStream === undefined ? {} : { logger: { level: 'info', stream: logStream } })
  await app.register(fastifyWebsocket, { options: wsOptions })
  await app.register(rpcPlugin, options)
  return app
}

test('1 MiB messages queued behind slow calls are held to maxQueuedBytes: the server stops reading the socket', async t => {
  // Scaled down: 32 KiB messages behind 2 calls that do not finish, with a 64 KiB queue.
  const service = new GatedService()
  const maxQueuedBytes = 64 * KIB
  const app = await appWithOwnWs({ services: [service], websocket: { maxQueuedBytes }, batchConcurrency: 2, bodyLimit: 64 * KIB })
  const url = await listenWs(t, app)
  const serverSide = nextServerSide(app.websocketServer)
  const peer = await openPeer(t, url)
  const { socket: server } = await serverSide
  let receivedBytes = 0
  let receivedMessages = 0
  server.on('message', (data: Buffer) => { receivedBytes += data.length; receivedMessages++ })

  peer.send({ jsonrpc: '2.0', method: 'hold', id: 'a' })
  peer.send({ jsonrpc: '2.0', method: 'hold', id: 'b' })
  const pad = 'p'.repeat(32 * KIB)
  const queuedCalls = 100
  for (let id = 1; id <= queuedCalls; id++) peer.send({ jsonrpc: '2.0', method: 'size', params: [pad], id })

  await until(() => server.isPaused, 5000, 'the server paused reading')
  await new Promise(resolve => setTimeout(resolve, 200)) // whatever ws had already read arrives meanwhile
  const messageBytes = 32 * KIB + 60
  // Held: the two running calls, the queue up to its bound, and what ws had read when it paused (one socket read, 64 KiB, plus the message it completes).
  t.ok(receivedBytes <= 200 + maxQueuedBytes + 64 * KIB + messageBytes, `the server read ${receivedBytes} bytes (${receivedMessages} messages) of ${queuedCalls * messageBytes}`)
  t.equal(service.started, 2, 'only the two calls with a slot started')
  t.ok(server.isPaused, 'still paused while the calls run')

  service.open()
  const answers = await peer.receivedCount(queuedCalls + 2, 20_000)
  t.same(answers.filter(answer => answer.result === 32 * KIB).length, queuedCalls, 'every queued message is answered once the slots free up')
  t.same(answers.filter(answer => answer.result === 'released').map(answer => answer.id).sort(), ['a', 'b'])
  t.equal(peer.socket.readyState, WebSocket.OPEN)
  t.notOk(server.isPaused, 'reading resumed')
})

test('2000 instant pings on one socket are all answered', async t => {
  const app = Fastify()
  await app.register(rpcPlugin, { services: [new GreetingService()], websocket: true })
  const peer = await openPeer(t, await listenWs(t, app))
  for (let id = 1; id <= 2000; id++) peer.send({ jsonrpc: '2.0', method: 'ping', id })
  const answers = await peer.receivedCount(2000, 20_000)
  t.equal(answers.length, 2000)
  t.same(answers.map(answer => answer.id).sort((a, b) => a - b), Array.from({ length: 2000 }, (_, index) => index + 1), 'each id answered once')
  t.ok(answers.every(answer => answer.result === 'ping'))
  t.equal(peer.socket.readyState, WebSocket.OPEN, 'the burst did not close the connection')
})

test('2000 instant pings are all answered even through a queue of 5 messages and one slot', async t => {
  const app = Fastify()
  await app.register(rpcPlugin, { services: [new GreetingService()], websocket: { maxQueuedBytes: 200 }, batchConcurrency: 1, maxBatchSize: 5 })
  const peer = await openPeer(t, await listenWs(t, app))
  for (let id = 1; id <= 2000; id++) peer.send({ jsonrpc: '2.0', method: 'ping', id })
  const answers = await peer.receivedCount(2000, 20_000)
  t.same(answers.map(answer => answer.id), Array.from({ length: 2000 }, (_, index) => index + 1), 'one slot answers them in order')
  t.equal(peer.socket.readyState, WebSocket.OPEN)
})

/** Limits small enough that a never-reading client reaches them once the loopback TCP buffers are full. */
const SLOW_READER_LIMITS = { maxBufferedBytes: 64 * KIB, closeBufferedBytes: 256 * KIB, heartbeatMs: 0 }
const ANSWER_BYTES = 128 * KIB

test('a never-reading client is closed and its memory freed', async t => {
  const service = new BigAnswerService()
  const logs = captureLogs()
  const app = await appWithOwnWs({ services: [service], websocket: SLOW_READER_LIMITS, batchConcurrency: 4 }, {}, logs.stream)
  const url = await listenWs(t, app)
  const serverSide = nextServerSide(app.websocketServer)
  const peer = await openPeer(t, url)
  const { socket: server, tcp } = await serverSide
  let mostUnsent = 0
  const send = server.send.bind(server)
  server.send = ((...args: Parameters<WebSocket['send']>) => {
    send(...args)
    mostUnsent = Math.max(mostUnsent, server.bufferedAmount)
  }) as WebSocket['send']
  const serverClosed = new Promise(resolve => server.once('close', resolve))

  peer.socket.pause() // the client never reads again
  const calls = 400 // 50 MiB of answers, far more than loopback TCP buffers hold
  for (let id = 1; id <= calls; id++) peer.send({ jsonrpc: '2.0', method: 'big', params: [ANSWER_BYTES], id })

  await withinTime(serverClosed, 15_000 + CLOSE_GRACE_MS, 'the server did not close the connection')
  t.ok(mostUnsent <= SLOW_READER_LIMITS.closeBufferedBytes + ANSWER_BYTES + 64,
    `unsent output peaked at ${mostUnsent} bytes: the close threshold plus at most one answer`)
  t.ok(service.started < calls, `${service.started} of ${calls} calls started: none after the client stopped reading`)
  t.ok(tcp.destroyed, 'the TCP socket is destroyed')
  t.equal(tcp.writableLength, 0, 'and the answers it held are freed')
  t.equal(server.bufferedAmount, 0)
  t.notOk(app.websocketServer.clients.has(server), 'the ws server forgot it')
  const line = logs.lines.find(entry => entry.msg === 'closing a WebSocket client that does not read its answers')
  t.match(line, { level: 30, limit: SLOW_READER_LIMITS.closeBufferedBytes }, 'the close is logged with the numbers')
  t.ok((line?.unsentBytes as number) > SLOW_READER_LIMITS.closeBufferedBytes)

  const startedAtClose = service.started
  await new Promise(resolve => setTimeout(resolve, 100))
  t.equal(service.started, startedAtClose, 'nothing starts after the close')
})

test('a slow reader that reads again is told why: 1008 with a reason', async t => {
  const service = new BigAnswerService()
  const app = await appWithOwnWs({ services: [service], websocket: SLOW_READER_LIMITS, batchConcurrency: 4 })
  const url = await listenWs(t, app)
  const serverSide = nextServerSide(app.websocketServer)
  const peer = await openPeer(t, url)
  const { socket: server } = await serverSide

  peer.socket.pause()
  for (let id = 1; id <= 400; id++) peer.send({ jsonrpc: '2.0', method: 'big', params: [ANSWER_BYTES], id })
  await until(() => server.readyState === WebSocket.CLOSING, 15_000, 'the server started closing')
  peer.socket.resume()
  const { code, reason } = await peer.closed(CLOSE_GRACE_MS * 5)
  t.equal(code, 1008, 'Policy Violation')
  t.equal(reason, `the client does not read its messages (over ${SLOW_READER_LIMITS.closeBufferedBytes} bytes unsent)`)
  t.ok(peer.received.length > 0 && peer.received.every(answer => answer.result?.length === ANSWER_BYTES), 'the answers sent before the close arrive whole')
})

test('a never-reading client sending batches of rpc.discover stops the server taking its work, and the heartbeat cuts it off', async t => {
  const logs = captureLogs()
  const maxBufferedBytes = 64 * KIB
  const app = await appWithOwnWs({ services: [new GreetingService()], websocket: { maxBufferedBytes, heartbeatMs: 100 } }, {}, logs.stream)
  const url = await listenWs(t, app)
  const serverSide = nextServerSide(app.websocketServer)
  const peer = await openPeer(t, url)
  const { socket: server, tcp } = await serverSide
  let mostUnsent = 0
  let largestAnswer = 0
  let answers = 0
  const send = server.send.bind(server)
  server.send = ((...args: Parameters<WebSocket['send']>) => {
    send(...args)
    answers++
    largestAnswer = Math.max(largestAnswer, Buffer.byteLength(args[0] as string))
    mostUnsent = Math.max(mostUnsent, server.bufferedAmount)
  }) as WebSocket['send']
  const serverClosed = new Promise(resolve => server.once('close', resolve))

  peer.socket.pause()
  const batch = JSON.stringify(Array.from({ length: 100 }, (_, id) => ({ jsonrpc: '2.0', method: 'rpc.discover', id })))
  const messages = 400
  for (let i = 0; i < messages; i++) peer.send(batch)
  await withinTime(serverClosed, 10_000, 'the server did not cut the connection off')
  t.ok(answers < messages, `${answers} of ${messages} batches answered before the server stopped taking work`)
  // Over maxBufferedBytes nothing new starts: only calls already running (32 at most, batchConcurrency) add to it.
  t.ok(mostUnsent <= maxBufferedBytes + 32 * largestAnswer, `unsent output peaked at ${mostUnsent} bytes (answers of ${largestAnswer} bytes)`)
  t.ok(tcp.destroyed && tcp.writableLength === 0, 'the socket and what it held are freed')
  t.ok(logs.lines.some(entry => entry.msg === 'cutting off a WebSocket peer that did not answer a ping within 100 ms'), 'the heartbeat cut it off')
})

test('pushes to a client that does not read are bounded: notify() returns false once the connection is closed for it', async t => {
  const service = new BigAnswerService()
  const app = await appWithOwnWs({ services: [service], websocket: SLOW_READER_LIMITS })
  const url = await listenWs(t, app)
  const serverSide = nextServerSide(app.websocketServer)
  const peer = await openPeer(t, url)
  const { socket: server } = await serverSide
  const serverClosed = new Promise(resolve => server.once('close', resolve))
  peer.socket.pause()
  const pushes = 2000 // 128 MiB if nothing stopped them
  peer.send({ jsonrpc: '2.0', method: 'flood', params: [pushes, 64 * KIB], id: 1 })
  await withinTime(serverClosed, 15_000 + CLOSE_GRACE_MS, 'the server did not close the connection')
  t.ok(service.pushRefused, 'notify() said false')
  t.ok(service.pushesAccepted < pushes, `${service.pushesAccepted} of ${pushes} pushes were accepted`)
  t.equal(service.openAfterPushes, false, 'ctx.connection.open is false')
})

test('bodyLimit holds when the app registers @fastify/websocket itself (closed with 1009)', async t => {
  const logs = captureLogs()
  // @fastify/websocket with ws's default maxPayload (100 MiB).
  const app = await appWithOwnWs({ services: [new GreetingService()], websocket: true, bodyLimit: 1000 }, {}, logs.stream)
  const peer = await openPeer(t, await listenWs(t, app))
  peer.send({ jsonrpc: '2.0', method: 'hello', params: ['n'.repeat(900)], id: 1 })
  t.same((await peer.receivedCount(1))[0], { jsonrpc: '2.0', result: `Hello, ${'n'.repeat(900)}`, id: 1 }, 'a message under the limit is answered')
  peer.send({ jsonrpc: '2.0', method: 'hello', params: ['n'.repeat(2000)], id: 2 })
  const { code, reason } = await peer.closed()
  t.equal(code, 1009, 'Message Too Big')
  t.match(reason, /^message of 20\d\d bytes; the limit is 1000$/)
  t.equal(peer.received.length, 1, 'the large message got no answer')
  t.ok(logs.lines.some(entry => entry.level === 40 && /reads messages up to 104857600 bytes before the plugin refuses those over bodyLimit \(1000\); register it with \{ options: \{ maxPayload: 1000 \} \}/.test(entry.msg as string)),
    'start-up says how to make ws stop reading at the limit')
})

test('an app registering @fastify/websocket with maxPayload at bodyLimit gets no warning', async t => {
  const logs = captureLogs()
  const app = await appWithOwnWs({ services: [new GreetingService()], websocket: true, bodyLimit: 1000 }, { maxPayload: 1000 }, logs.stream)
  await app.ready()
  t.teardown(async () => await app.close())
  t.notOk(logs.lines.some(entry => entry.level === 40), 'no warning')
})

test('maxConnections: the connection over the limit is closed with 1013, and its slot is free again once one leaves', async t => {
  const app = await appWithOwnWs({ services: [new GreetingService()], websocket: { maxConnections: 2 } })
  const url = await listenWs(t, app)
  const first = await openPeer(t, url)
  const second = await openPeer(t, url)
  const third = await openPeer(t, url)
  t.same(await third.closed(), { code: 1013, reason: 'too many connections (at most 2)' }, 'Try Again Later, with the limit')
  second.send({ jsonrpc: '2.0', method: 'ping', id: 2 })
  t.same((await second.receivedCount(1))[0], { jsonrpc: '2.0', result: 'ping', id: 2 }, 'the connections within the limit are served')

  first.socket.close()
  await first.closed()
  // The server counts a connection out when its own side has closed, a moment after the client's.
  await until(() => app.websocketServer.clients.size === 1, 5000, 'the server saw the first and third leave')
  const fourth = await openPeer(t, url)
  fourth.send({ jsonrpc: '2.0', method: 'ping', id: 4 })
  t.same((await fourth.receivedCount(1))[0], { jsonrpc: '2.0', result: 'ping', id: 4 }, 'a new connection is served')
  t.equal(fourth.socket.readyState, WebSocket.OPEN)
})

test('a connection over maxConnections that never answers the close frame is cut off after the grace period', async t => {
  const app = await appWithOwnWs({ services: [new GreetingService()], websocket: { maxConnections: 1 } })
  const url = await listenWs(t, app)
  await openPeer(t, url)
  const serverSide = nextServerSide(app.websocketServer)
  const refused = new WebSocket(url)
  t.teardown(() => refused.terminate())
  refused.on('error', () => {})
  refused.once('open', () => refused.pause()) // before the close frame is read: it is never answered
  const { socket: server, tcp } = await serverSide
  const started = Date.now()
  await withinTime(new Promise(resolve => server.once('close', resolve)), CLOSE_GRACE_MS * 5, 'the refused connection was not cut off')
  t.ok(Date.now() - started >= CLOSE_GRACE_MS - 50, 'the peer had the grace period to answer')
  t.ok(tcp.destroyed, 'then its socket was destroyed')
})

test('heartbeat: a peer that does not answer pings is cut off; one that does stays', async t => {
  const app = Fastify()
  await app.register(rpcPlugin, { services: [new GreetingService()], websocket: { heartbeatMs: 50 } })
  const url = await listenWs(t, app)
  const silent = await openPeer(t, url, { autoPong: false })
  const alive = await openPeer(t, url)
  let pings = 0
  alive.socket.on('ping', () => { pings++ })
  const { code } = await silent.closed(5000)
  t.equal(code, 1006, 'cut off without a close frame (a dead peer could not take one)')
  await new Promise(resolve => setTimeout(resolve, 200))
  t.ok(pings >= 2, `the live peer was pinged (${pings} times)`)
  alive.send({ jsonrpc: '2.0', method: 'ping', id: 1 })
  t.same((await alive.receivedCount(1))[0], { jsonrpc: '2.0', result: 'ping', id: 1 }, 'and is still served')
})

test('heartbeatMs: 0 sends no pings', async t => {
  const app = Fastify()
  await app.register(rpcPlugin, { services: [new GreetingService()], websocket: { heartbeatMs: 0 } })
  const peer = await openPeer(t, await listenWs(t, app), { autoPong: false })
  let pings = 0
  peer.socket.on('ping', () => { pings++ })
  await new Promise(resolve => setTimeout(resolve, 150))
  t.equal(pings, 0)
  t.equal(peer.socket.readyState, WebSocket.OPEN)
})

test('idle timeout: a silent connection is closed with 1000; one with a call running is not', async t => {
  const app = Fastify()
  await app.register(rpcPlugin, { services: [new SleepService()], websocket: { idleTimeoutMs: 100 } })
  const url = await listenWs(t, app)
  const busy = await openPeer(t, url)
  busy.send({ jsonrpc: '2.0', method: 'sleep', params: [400], id: 1 })
  const silent = await openPeer(t, url)
  t.same(await silent.closed(5000), { code: 1000, reason: 'idle for 100 ms' })
  t.same((await busy.receivedCount(1))[0], { jsonrpc: '2.0', result: 'awake', id: 1 }, 'the call outlasting the idle timeout is answered')
  t.equal(busy.socket.readyState, WebSocket.OPEN, 'its connection stayed open while the call ran')
  t.same(await busy.closed(5000), { code: 1000, reason: 'idle for 100 ms' }, 'and is closed once idle after it')
})

test('idleTimeoutMs: 0 keeps a silent connection open', async t => {
  const app = Fastify()
  await app.register(rpcPlugin, { services: [new SleepService()], websocket: { idleTimeoutMs: 0 } })
  const peer = await openPeer(t, await listenWs(t, app))
  await new Promise(resolve => setTimeout(resolve, 200))
  t.equal(peer.socket.readyState, WebSocket.OPEN)
})

test('work of a closed connection stops: queued messages dropped, nothing new started', async t => {
  const service = new GatedService()
  const app = await appWithOwnWs({ services: [service], websocket: true, batchConcurrency: 1 })
  const url = await listenWs(t, app)
  const serverSide = nextServerSide(app.websocketServer)
  const peer = await openPeer(t, url)
  const { socket: server } = await serverSide
  const serverClosed = new Promise(resolve => server.once('close', resolve))
  peer.send({ jsonrpc: '2.0', method: 'hold', id: 1 })
  for (let id = 2; id <= 6; id++) peer.send({ jsonrpc: '2.0', method: 'size', params: ['x'], id })
  await until(() => service.started === 1, 5000, 'the first call started')
  peer.socket.close()
  await withinTime(serverClosed, 5000, 'the server side did not close')
  service.open()
  await new Promise(resolve => setTimeout(resolve, 50))
  t.equal(service.started, 1, 'the five queued calls never ran')
})

test('the transport aborts DispatchContext.signal when the connection closes', async t => {
  const registry = buildRegistry([new GatedService()], { defaultTimeout: 0, guards: [], sharedSchemas: [] })
  const engine = buildDispatcher(registry, { maxBatchSize: 10, batchConcurrency: 2, jsonBody: { onProtoPoisoning: 'error', onConstructorPoisoning: 'error' } })
  const contexts: DispatchContext[] = []
  const watched: Dispatcher = {
    dispatch: engine.dispatch,
    dispatchText: async (text, context) => { contexts.push(context); return await engine.dispatchText(text, context) }
  }
  const app = Fastify()
  await app.register(fastifyWebsocket)
  app.get('/rpc', { websocket: true }, buildWebSocketHandler(watched, { maxInFlight: 2, maxQueued: 10, bodyLimit: 1000, limits: DEFAULT_WEBSOCKET_LIMITS }))
  const peer = await openPeer(t, await listenWs(t, app))
  peer.send({ jsonrpc: '2.0', method: 'hold', id: 1 })
  await until(() => contexts.length === 1, 5000, 'the call reached the engine')
  const signal = contexts[0].signal
  t.equal(signal?.aborted, false, 'not aborted while the client is there')
  const aborted = new Promise(resolve => signal?.addEventListener('abort', resolve))
  peer.socket.close()
  await withinTime(aborted, 5000, 'the signal was not aborted')
  t.equal(signal?.aborted, true)
  t.match(signal?.reason, { message: 'the WebSocket connection closed' })
})

test('websocket options are checked at registration with clear errors', async t => {
  const cases: Array<[unknown, RegExp]> = [
    ['yes', /`websocket` must be true, false or an object of limits, got "yes"/],
    [{ maxConections: 5 }, /unknown option `websocket.maxConections` \(known: maxConnections, heartbeatMs, idleTimeoutMs, maxQueuedBytes, maxBufferedBytes, closeBufferedBytes, maxSubscriptions\)/],
    [{ maxConnections: 0 }, /`websocket.maxConnections` must be a positive integer, got 0/],
    [{ maxQueuedBytes: 1.5 }, /`websocket.maxQueuedBytes` must be a positive integer, got 1.5/],
    [{ heartbeatMs: -1 }, /`websocket.heartbeatMs` must be a whole number of milliseconds from 0 \(off\) to 2147483647, got -1/],
    [{ idleTimeoutMs: 2 ** 31 }, /`websocket.idleTimeoutMs` must be a whole number of milliseconds/],
    [{ maxBufferedBytes: 4096, closeBufferedBytes: 1024 }, /`websocket.closeBufferedBytes` \(1024\) must be at least `websocket.maxBufferedBytes` \(4096\)/]
  ]
  for (const [websocket, message] of cases) {
    const app = Fastify()
    await t.rejects(async () => await app.register(rpcPlugin, { services: [new GreetingService()], websocket: websocket as RpcPluginOptions['websocket'] }).ready(),
      { code: 'FST_JSONRPC_INVALID_OPTION', message }, JSON.stringify(websocket))
    await app.close()
  }
})

test('websocket: {} and websocket: true serve with the documented defaults', async t => {
  t.same(DEFAULT_WEBSOCKET_LIMITS, {
    maxConnections: 1000,
    heartbeatMs: 30_000,
    idleTimeoutMs: 300_000,
    maxQueuedBytes: 1024 * KIB,
    maxBufferedBytes: 1024 * KIB,
    closeBufferedBytes: 8 * 1024 * KIB,
    maxSubscriptions: 100
  })
  for (const websocket of [true, {}]) {
    const app = Fastify()
    await app.register(rpcPlugin, { services: [new GreetingService()], websocket })
    const peer = await openPeer(t, await listenWs(t, app))
    peer.send({ jsonrpc: '2.0', method: 'ping', id: 1 })
    t.same((await peer.receivedCount(1))[0], { jsonrpc: '2.0', result: 'ping', id: 1 }, JSON.stringify(websocket))
  }
})
