/** The part of `@alicloud/mns` (1.2.0, untyped JavaScript) that the reconcile uses: its client module
 * itself (the package's index also requires an ES5 build whose babel-runtime it does not depend on,
 * which the bundler cannot resolve). */
declare module '@alicloud/mns/lib/client.js' {
  export interface MnsMessage {
    MessageId?: string;
    ReceiptHandle?: string;
    MessageBody?: string;
    MessageBodyMD5?: string;
    EnqueueTime?: string;
    DequeueCount?: string;
  }
  export interface MnsResponse<T> {
    code: number;
    headers: Record<string, string>;
    body: T;
  }
  export default class MNSClient {
    constructor(
      accountId: string,
      opts: {
        accessKeyId: string;
        accessKeySecret: string;
        securityToken?: string;
        endpoint?: string;
        region?: string;
        readTimeout?: number;
        connectTimeout?: number;
      },
    );
    batchReceiveMessage(
      queueName: string,
      numOfMessages: number,
      waitSeconds?: number,
    ): Promise<MnsResponse<MnsMessage[] | undefined>>;
    batchDeleteMessage(
      queueName: string,
      receiptHandles: string[],
    ): Promise<MnsResponse<Array<{ ErrorCode?: string; ReceiptHandle?: string }> | undefined>>;
  }
}
