import { rpcMethod } from '../plugin'

/** The seed's four methods, names and answers exactly as the original server had them. */
export class GreetingService {
  @rpcMethod()
  ping (): string {
    return 'ping'
  }

  @rpcMethod()
  hao (): string {
    return 'hao'
  }

  @rpcMethod()
  hello (name: string): string {
    return `Hello, ${name}`
  }

  @rpcMethod()
  Sum (a: number, b: number): number {
    return a + b
  }
}
