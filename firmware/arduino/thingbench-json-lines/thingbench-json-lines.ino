// ThingBench JSON-lines reference sketch (protocol version 1, docs/serial-json-lines.md).
//
// A small thermostat: it reports `temperature`, `target_temperature` and `hvac_mode`, takes
// `target_temperature` and `hvac_mode` from desired/delta, answers hello and get, and (on boards
// with enough RAM) accepts its AWS IoT identity over the cable. Needs ArduinoJson 7
// (Library Manager: "ArduinoJson" by Benoit Blanchon). Open ThingBench at 115200 baud.

#include <ArduinoJson.h>

// Boards with Wi-Fi take the bench network with their identity (the wifiSsid and wifiPassphrase items).
#if defined(ESP32)
#include <WiFi.h>
#define CAN_WIFI 1
#elif defined(ESP8266)
#include <ESP8266WiFi.h>
#define CAN_WIFI 1
#else
#define CAN_WIFI 0
#endif

#if defined(ESP32) || defined(ESP8266) || defined(ARDUINO_ARCH_RP2040) || defined(ARDUINO_ARCH_SAMD)
#define CAN_PROVISION 1
const size_t MAX_LINE = 8192;  // the protocol's limit: a provisioning line carries a PEM key
#else
#define CAN_PROVISION 0
const size_t MAX_LINE = 512;   // small AVR boards: no provisioning, short lines only
#endif

const char *DEVICE = "ThingBench reference thermostat";
const char *FIRMWARE = "1.0.0";
const unsigned long REPORT_EVERY_MS = 30000;

char line[MAX_LINE + 1];
size_t lineLength = 0;
bool lineTooLong = false;

float temperature = 20.0;
float target = 21.0;
String modeSetting = "auto";  // auto, heat, cool, off
String hvacMode = "off";      // what runs now: heat, cool, off
unsigned long lastReport = 0;
unsigned long lastTick = 0;

#if CAN_PROVISION
const int ITEM_COUNT = CAN_WIFI ? 7 : 5;
String staged[7];  // endpoint, thingName, certificate, privateKey, rootCa, wifiSsid, wifiPassphrase
const char *ITEMS[7] = {"endpoint", "thingName", "certificate", "privateKey", "rootCa", "wifiSsid", "wifiPassphrase"};
#endif

// A serial number that survives a reboot: the chip's id where there is one.
String serialNumber() {
#if defined(ESP32)
  return String((uint32_t)(ESP.getEfuseMac() >> 16), HEX);
#elif defined(ESP8266)
  return String(ESP.getChipId(), HEX);
#else
  return "TB-REF-0001";
#endif
}

void send(JsonDocument &doc) {
  serializeJson(doc, Serial);
  Serial.print('\n');
}

void sendAck(const char *re) {
  JsonDocument doc;
  doc["type"] = "ack";
  doc["re"] = re;
  send(doc);
}

void sendError(const char *re, const char *code, const char *message) {
  JsonDocument doc;
  doc["type"] = "error";
  if (re) doc["re"] = re;
  doc["code"] = code;
  doc["message"] = message;
  send(doc);
}

void sendHello(const char *re) {
  JsonDocument doc;
  doc["type"] = "hello";
  if (re) doc["re"] = re;
  doc["protocol"] = 1;
  doc["device"] = DEVICE;
  doc["firmware"] = FIRMWARE;
  doc["serial"] = serialNumber();
  JsonArray capabilities = doc["capabilities"].to<JsonArray>();
  if (CAN_PROVISION) capabilities.add("provision");
  if (CAN_PROVISION && CAN_WIFI) capabilities.add("wifi");
  send(doc);
}

void sendReported(const char *re) {
  JsonDocument doc;
  doc["type"] = "reported";
  if (re) doc["re"] = re;
  JsonObject state = doc["state"].to<JsonObject>();
  state["temperature"] = round(temperature * 10) / 10.0;
  state["target_temperature"] = target;
  state["hvac_mode"] = hvacMode;
  state["hvac_mode_setting"] = modeSetting;
  send(doc);
  lastReport = millis();
}

// desired and delta: check every value first, then apply all of them or none.
void applyDesired(const char *re, JsonObject state) {
  JsonVariant newTarget = state["target_temperature"];
  JsonVariant newMode = state["hvac_mode"];
  if (!newTarget.isNull() && (!newTarget.is<float>() || newTarget.as<float>() < 5 || newTarget.as<float>() > 35)) {
    return sendError(re, "bad_value", "target_temperature must be a number from 5 to 35");
  }
  if (!newMode.isNull()) {
    String mode = newMode.as<String>();
    if (mode != "auto" && mode != "heat" && mode != "cool" && mode != "off") {
      return sendError(re, "bad_value", "hvac_mode must be auto, heat, cool or off");
    }
  }
  if (!newTarget.isNull()) target = newTarget.as<float>();
  if (!newMode.isNull()) modeSetting = newMode.as<String>();
  sendAck(re);
  sendReported(nullptr);
}

#if CAN_PROVISION
void stageItem(const char *re, const char *item, const char *value) {
  if (!value || !*value) return sendError(re, "bad_value", "the value must be a non-empty string");
  for (int i = 0; i < ITEM_COUNT; i++) {
    if (strcmp(item, ITEMS[i]) == 0) {
      staged[i] = value;
      return sendAck(re);
    }
  }
  sendError(re, "bad_value", "unknown provision item");
}

void commitIdentity(const char *re) {
  for (int i = 0; i < 4; i++) {
    if (staged[i].length() == 0) return sendError(re, "not_provisioned", "endpoint, thingName, certificate and privateKey are all needed");
  }
  // Store staged[] in flash here (Preferences on ESP32, LittleFS elsewhere). Never print the key
  // or the Wi-Fi passphrase.
  sendAck(re);
  JsonDocument doc;
  doc["type"] = "connection";
#if CAN_WIFI
  if (staged[5].length() > 0) {
    doc["state"] = "connecting";
    doc["detail"] = staged[0];
    send(doc);
    WiFi.begin(staged[5].c_str(), staged[6].length() > 0 ? staged[6].c_str() : nullptr);
    unsigned long started = millis();
    while (WiFi.status() != WL_CONNECTED && millis() - started < 20000) delay(250);
    if (WiFi.status() != WL_CONNECTED) {
      doc["state"] = "failed";
      doc["detail"] = "could not join Wi-Fi " + staged[5] + ": check the SSID and passphrase, and that the network is in range";
      send(doc);
      return;
    }
  }
#endif
  doc["state"] = "failed";
  doc["detail"] = "identity received; connecting to AWS IoT is board-specific: add MQTT over TLS here (the thing name is the client id)";
  send(doc);
}
#endif

void handleLine(char *text, size_t length) {
  JsonDocument doc;
  DeserializationError error = deserializeJson(doc, text, length);
  if (error) return sendError(nullptr, "bad_json", error.c_str());
  const char *type = doc["type"];
  const char *id = doc["id"];
  if (!type) return sendError(nullptr, "bad_message", "a message is an object with a \"type\"");
  if (!id) return;  // acks and unprompted errors from ThingBench need no answer

  if (strcmp(type, "hello") == 0) return sendHello(id);
  if (strcmp(type, "get") == 0) return sendReported(id);
  if (strcmp(type, "desired") == 0 || strcmp(type, "delta") == 0) {
    if (!doc["state"].is<JsonObject>()) return sendError(id, "bad_message", "\"state\" must be an object");
    return applyDesired(id, doc["state"].as<JsonObject>());
  }
#if CAN_PROVISION
  if (strcmp(type, "provision") == 0) return stageItem(id, doc["item"] | "", doc["value"].as<const char *>());
  if (strcmp(type, "provision_commit") == 0) return commitIdentity(id);
#endif
  sendError(id, "unknown_type", type);
}

// Reads bytes into `line`; a line over MAX_LINE is dropped up to its LF.
void readSerial() {
  while (Serial.available()) {
    char c = Serial.read();
    if (c == '\n') {
      if (lineLength > 0 && line[lineLength - 1] == '\r') lineLength--;
      if (lineTooLong) sendError(nullptr, "line_too_long", "a line over the limit was dropped");
      else if (lineLength > 0) handleLine(line, lineLength);
      lineLength = 0;
      lineTooLong = false;
    } else if (lineLength < MAX_LINE) {
      line[lineLength++] = c;
    } else {
      lineTooLong = true;
    }
  }
}

// The room: heating or cooling moves 0.1 °C a second toward the target; auto picks the mode.
void tick() {
  if (millis() - lastTick < 1000) return;
  lastTick = millis();
  String before = hvacMode;
  float shown = round(temperature * 10);
  if (modeSetting == "off") hvacMode = "off";
  else if (modeSetting == "heat") hvacMode = temperature < target ? "heat" : "off";
  else if (modeSetting == "cool") hvacMode = temperature > target ? "cool" : "off";
  else if (temperature < target - 0.3) hvacMode = "heat";
  else if (temperature > target + 0.3) hvacMode = "cool";
  if (hvacMode == "heat") temperature = min(target, temperature + 0.1f);
  if (hvacMode == "cool") temperature = max(target, temperature - 0.1f);
  if (hvacMode != "off" && fabs(target - temperature) < 0.05) hvacMode = "off";
  if (hvacMode != before || round(temperature * 10) != shown) sendReported(nullptr);
}

void setup() {
  Serial.begin(115200);
  sendHello(nullptr);
  sendReported(nullptr);
}

void loop() {
  readSerial();
  tick();
  if (millis() - lastReport > REPORT_EVERY_MS) sendReported(nullptr);
}
