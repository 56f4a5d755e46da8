export { GreetingService } from './greeting-service'
