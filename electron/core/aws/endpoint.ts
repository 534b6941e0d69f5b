import { DescribeEndpointCommand, type IoTClient } from '@aws-sdk/client-iot'

/** The account's ATS data endpoint (MQTT and shadow REST), e.g. abc123-ats.iot.eu-west-1.amazonaws.com. */
export async function describeDataEndpoint(iot: IoTClient): Promise<string> {
  const { endpointAddress } = await iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }))
  if (!endpointAddress) throw new Error('DescribeEndpoint (iot:Data-ATS) answered without an endpoint address')
  return endpointAddress
}
