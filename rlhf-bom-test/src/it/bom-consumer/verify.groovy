// Fails unless every artifact the consumer resolves has the version rlhf4j's own build uses.
// Both files are dependency:tree output (the consumer's at runtime scope, the build's own at test
// scope); an artifact line reads
// "+- groupId:artifactId:type[:classifier]:version:scope".
def parse(File file) {
    def versions = [:]
    file.eachLine { line ->
        def m = line =~ /([\w.\-]+):([\w.\-]+):([\w\-]+)(?::([\w.\-]+))?:([\w.\-]+):(compile|runtime|provided|system|test)/
        if (m.find()) {
            def key = m.group(1) + ':' + m.group(2) + (m.group(4) ? ':' + m.group(4) : '')
            versions[key] = [version: m.group(5), scope: m.group(6)]
        }
    }
    return versions
}

def own = parse(new File(basedir, '../../own-dependencies.txt'))
def consumer = parse(new File(basedir, 'consumer-dependencies.txt'))
consumer.remove('dev.rlhf4j.it:bom-consumer')
own.remove('dev.rlhf4j:rlhf-bom-test')

assert !own.isEmpty() : 'no dependencies in target/own-dependencies.txt'
assert consumer.containsKey('com.fasterxml.jackson.dataformat:jackson-dataformat-yaml') : 'the consumer does not reach jackson-dataformat-yaml (through Jinjava): the check would be empty'

def problems = []
consumer.each { key, c ->
    if (!own.containsKey(key)) {
        problems << "${key}:${c.version} is resolved by the consumer but not by rlhf4j's build"
    } else if (own[key].version != c.version) {
        problems << "${key}: the consumer resolves ${c.version}, rlhf4j builds and tests with ${own[key].version}"
    }
}
// the build's own list also holds its test libraries (JUnit, jqwik, AssertJ): compare the rest
own.findAll { key, o -> o.scope != 'test' && !consumer.containsKey(key) }.each { key, o ->
    problems << "${key}:${o.version} is used by rlhf4j's build but missing for the consumer"
}
if (!problems.isEmpty()) {
    throw new AssertionError('rlhf-bom does not pin what rlhf4j is tested with; add these to rlhf-bom/pom.xml:\n  ' + problems.join('\n  '))
}
println "bom-consumer: ${consumer.size()} artifacts, all at rlhf4j's versions"
return true
