export { GreetingService } from './greeting-service'
export { TickerService, NEEDS_WEBSOCKET } from './ticker-service'
